import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';

/** Also what a user sees for something that exists but is not theirs: the same words, nothing to learn from it. */
export function NotFoundPage({ what }: { what?: string }) {
  const { t } = useTranslation();
  return (
    <section className="not-found" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{t('notFound.title')}</h1>
      <p>{what ?? t('notFound.text')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </section>
  );
}
