import type { ReactNode } from 'react';
import { useLabels } from '../i18n.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';

/** The frame of the pages reached before signing in (login, activation): brand, language switch, one card. */
export function SignedOutShell({ titleId, title, children }: { titleId: string; title: string; children: ReactNode }) {
  const { t } = useLabels();
  return (
    <div className="login-shell">
      <header className="login-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            C2
          </span>
          <span>{t('app.name')}</span>
        </div>
        <LanguageSwitch />
      </header>
      <main id="main" className="login-main" tabIndex={-1}>
        <section className="card login-card" aria-labelledby={titleId}>
          <h1 id={titleId}>{title}</h1>
          {children}
        </section>
      </main>
    </div>
  );
}
