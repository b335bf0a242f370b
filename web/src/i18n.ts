import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { en } from './i18n/en.ts';
import { it } from './i18n/it.ts';

/**
 * Italian by default, English on request; the choice is kept in localStorage and `<html lang>` follows it.
 * Every code the API sends (statuses, reasons, errors) is shown through a label group below; a code with no label
 * reads as the group's `_unknown` sentence, never as the raw code.
 */
export const LANGUAGES = ['it', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'chain2.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof it };
    returnNull: false;
  }
}

function storedLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'it';
  } catch {
    return 'it';
  }
}

function applyLanguage(language: string): void {
  document.documentElement.lang = language;
  document.title = i18next.t('app.title');
}

void i18next.use(initReactI18next).init({
  resources: { it: { translation: it }, en: { translation: en } },
  lng: storedLanguage(),
  fallbackLng: 'it',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  initAsync: false,
});
applyLanguage(i18next.language);
i18next.on('languageChanged', applyLanguage);

export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private browsing may refuse storage: the choice then lasts for this page only.
  }
  void i18next.changeLanguage(language);
}

/** Groups of translated codes; each has an `_unknown` entry for codes the portal does not know yet. */
export type CodeGroup =
  | 'associationStatus'
  | 'requestStatus'
  | 'requestKind'
  | 'requestReason'
  | 'eligibilityReason'
  | 'bulkRowStatus'
  | 'operationKind'
  | 'operationStatus'
  | 'operationReason'
  | 'assetProviderStatus'
  | 'onboardingAction'
  | 'duModelOutcome'
  | 'fieldIssue'
  | 'errors'
  | 'kpiVersion'
  | 'kpiFlag'
  | 'kpiIssue'
  | 'kpiParticipant';

/** `label(group, code)`: the words for a code in the current language (re-rendered on a language change). */
export function useLabels() {
  const { t, i18n } = useTranslation();
  const label = (group: CodeGroup, code: string | null | undefined): string => {
    if (!code) return '';
    const key = `${group}.${code}`;
    const unknown = `${group}._unknown`;
    return i18n.exists(key) ? t(key as never) : t(unknown as never);
  };
  return { t, i18n, label, language: i18n.language };
}
