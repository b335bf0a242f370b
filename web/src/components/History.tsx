import { useLabels } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import type { RequestTransition } from '../types.ts';

/** A request's transitions as a timeline, oldest first, each with its reason in words. */
export function History({ history }: { history: RequestTransition[] }) {
  const { label, language } = useLabels();
  return (
    <ol className="timeline">
      {history.map((step, i) => (
        <li key={`${step.at}-${i}`} className={`timeline-step step-${step.status}`}>
          <time dateTime={step.at}>{formatDateTime(step.at, language, true)}</time>
          <span className="timeline-status">{label('requestStatus', step.status)}</span>
          {step.reason && <span className="timeline-reason">{label('requestReason', step.reason)}</span>}
        </li>
      ))}
    </ol>
  );
}
