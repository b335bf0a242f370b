import { isApiError } from '../api.ts';
import { useLabels } from '../i18n.ts';

type Labels = ReturnType<typeof useLabels>;

/** The words for a failed call: one sentence per stable error code, never the server's English or the code. */
export function errorText({ t, label }: Pick<Labels, 't' | 'label'>, error: unknown): string {
  if (!isApiError(error)) return t('errors._unknown');
  if (error.code === 'too_many_attempts') {
    const minutes = Math.max(1, Math.ceil((error.retryAfterSeconds ?? 15 * 60) / 60));
    return t('errors.too_many_attempts', { count: minutes });
  }
  if (error.code === 'invalid_input' && error.fieldIssues.length > 0) return t('errors.invalid_input_fields');
  if (error.code.startsWith('http_')) return error.status >= 500 ? t('errors.internal_error') : t('errors._unknown');
  return label('errors', error.code);
}

/**
 * Field-level messages of an error, keyed by the API's field path (`pod`, `du.macAddress`…). A DU model that is not
 * certified is the hardware version's problem.
 */
export function fieldErrorsOf({ t, label }: Pick<Labels, 't' | 'label'>, error: unknown): Record<string, string> {
  if (!isApiError(error)) return {};
  const result: Record<string, string> = {};
  for (const issue of error.fieldIssues) {
    if (!(issue.field in result)) result[issue.field] = label('fieldIssue', issue.code);
  }
  if (error.code === 'du_model_not_certified') result['du.hardwareVersion'] ??= t('errors.du_model_not_certified');
  return result;
}

/** An error as an alert, announced by screen readers as soon as it appears. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  const labels = useLabels();
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      {title && <strong>{title} </strong>}
      {errorText(labels, error)}
    </div>
  );
}
