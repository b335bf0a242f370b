import { Link } from 'react-router-dom';
import { useLabels } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import type { ServiceRequest } from '../types.ts';
import { StatusBadge } from './StatusBadge.tsx';

/** Requests of the asset provider, newest first; each links to its association (where its history is). */
export function RequestsTable({ requests, caption }: { requests: ServiceRequest[]; caption: string }) {
  const { t, label, language } = useLabels();
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('requests.submittedAt')}</th>
            <th scope="col">{t('requests.kind')}</th>
            <th scope="col">{t('common.pod')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('requests.reason')}</th>
            <th scope="col">{t('requests.updatedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((r) => (
            <tr key={r.id}>
              <td className="date">
                <Link to={`/associations/${r.associationId}`}>{formatDateTime(r.createdAt, language)}</Link>
              </td>
              <td>{label('requestKind', r.kind)}</td>
              <td className="mono">{r.pod}</td>
              <td>
                <StatusBadge group="requestStatus" code={r.status} />
              </td>
              <td>{r.reason ? label('requestReason', r.reason) : '—'}</td>
              <td className="date">{formatDateTime(r.closedAt ?? r.updatedAt, language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
