import { formatDateTime, formatLocalDate } from '../format.ts';
import { useLabels } from '../i18n.ts';
import type { OnboardingEvent } from '../types.ts';

type Labels = ReturnType<typeof useLabels>;
const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** What an onboarding step recorded, in a sentence (never the stored object). Unknown actions: no detail. */
export function eventDetail({ t, label }: Pick<Labels, 't' | 'label'>, event: OnboardingEvent): string {
  const d = event.detail ?? {};
  const parts: string[] = [];
  switch (event.action) {
    case 'applied':
      parts.push(t('auditDetail.applied', { name: text(d.name), vatNumber: text(d.vatNumber) }));
      break;
    case 'contract':
      parts.push(
        t('auditDetail.contract', { reference: text(d.pecReference), date: formatLocalDate(text(d.receivedOn)) }),
      );
      break;
    case 'du_model_certified':
    case 'du_model_failed':
      parts.push(
        t('auditDetail.duModel', {
          hardwareVersion: text(d.hardwareVersion),
          softwareVersion: text(d.softwareVersion),
          date: formatLocalDate(text(d.testedOn)),
          file: text(d.reportFileName),
        }),
      );
      break;
    case 'consent':
      parts.push(
        t('auditDetail.consent', {
          date: formatLocalDate(text(d.signedOn)),
          representatives: Array.isArray(d.representatives) ? d.representatives.map(text).join(', ') : '',
        }),
      );
      break;
    case 'suspend':
      parts.push(t('auditDetail.suspend', { reason: text(d.reason) }));
      break;
    case 'imported':
      parts.push(t('auditDetail.imported', { count: Number(d.models) || 0 }));
      break;
    case 'representative_activated':
      parts.push(text(d.email));
      break;
    default:
      break;
  }
  if (typeof d.status === 'string')
    parts.push(t('auditDetail.status', { status: label('assetProviderStatus', d.status) }));
  return parts.filter(Boolean).join(' ');
}

/** The onboarding audit log, newest first: when, who, what, and the step's facts in words. */
export function AuditLog({ events }: { events: OnboardingEvent[] }) {
  const labels = useLabels();
  const { t, label, language } = labels;
  if (events.length === 0) return <p className="empty">{t('onboarding.noEvents')}</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{t('onboarding.audit')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('onboarding.whenWho')}</th>
            <th scope="col">{t('onboarding.what')}</th>
          </tr>
        </thead>
        <tbody>
          {[...events]
            .sort((a, b) => b.at.localeCompare(a.at))
            .map((e, i) => (
              <tr key={`${e.at}-${i}`}>
                <td className="audit-who">
                  <div>
                    <span className="date">{formatDateTime(e.at, language, true)}</span>
                    <span>{e.actor ? e.actor.name : t('auditDetail.platform')}</span>
                    {e.actor && <span className="hint">{e.actor.email}</span>}
                  </div>
                </td>
                <td>
                  <strong>{label('onboardingAction', e.action)}</strong>
                  {eventDetail(labels, e) && <p className="audit-detail">{eventDetail(labels, e)}</p>}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
