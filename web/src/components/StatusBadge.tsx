import { useLabels, type CodeGroup } from '../i18n.ts';

const TONES: Record<string, 'ok' | 'warn' | 'bad' | 'info' | 'muted'> = {
  active: 'ok',
  completed: 'ok',
  passed: 'ok',
  pending: 'info',
  submitted: 'info',
  queued: 'info',
  taken_in_charge: 'info',
  processing: 'info',
  applied: 'info',
  contract_received: 'info',
  du_certified: 'info',
  consent_received: 'info',
  rejected: 'bad',
  failed: 'bad',
  invalid: 'bad',
  not_eligible: 'warn',
  suspended: 'bad',
  deleted: 'muted',
};

/** A status in words, with a colour that repeats (never replaces) the words. */
export function StatusBadge({ group, code }: { group: CodeGroup; code: string }) {
  const { label } = useLabels();
  return <span className={`badge badge-${TONES[code] ?? 'muted'}`}>{label(group, code)}</span>;
}
