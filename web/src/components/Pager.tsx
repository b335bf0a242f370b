import { useTranslation } from 'react-i18next';

interface PagerProps {
  pageNumber: number;
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}

/** Previous / next over cursor pages (the API knows no page numbers; the portal counts the pages it has seen). */
export function Pager({ pageNumber, hasPrevious, nextCursor, onPrevious, onNext }: PagerProps) {
  const { t } = useTranslation();
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="pager" aria-label={t('common.pagination')}>
      <button type="button" className="button-secondary" onClick={onPrevious} disabled={!hasPrevious}>
        {t('common.previous')}
      </button>
      <span>{t('common.pageNumber', { page: pageNumber })}</span>
      <button
        type="button"
        className="button-secondary"
        onClick={() => nextCursor && onNext(nextCursor)}
        disabled={!nextCursor}
      >
        {t('common.next')}
      </button>
    </nav>
  );
}
