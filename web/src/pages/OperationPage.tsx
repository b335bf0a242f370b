import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, isApiError } from '../api.ts';
import { Field, SelectField } from '../components/Field.tsx';
import { ErrorNotice, errorText, fieldErrorsOf } from '../components/ErrorNotice.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDateTime, formatKw, formatKwh, formatNumber } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import { allOf, type Operation, type OperationList, type TariffCalendar, type TariffSwitch } from '../types.ts';
import { focusFirstInvalid, normalisePod, podIssue } from '../validation.ts';

const KINDS = allOf<Operation['kind']>()([
  'read_registers',
  'connect',
  'disconnect',
  'set_available_power',
  'set_tariff_calendar',
]);
const DAY_TYPES = allOf<keyof TariffCalendar>()(['weekday', 'saturday', 'holiday']);
/** ARERA's F1/F2/F3 programme (CHAIN2.md §6), the starting point of a band calendar. */
const ARERA: Record<(typeof DAY_TYPES)[number], string> = {
  weekday: '00:00 F3, 07:00 F2, 08:00 F1, 19:00 F2, 23:00 F3',
  saturday: '00:00 F3, 07:00 F2, 23:00 F3',
  holiday: '00:00 F3',
};

/** "00:00 F3, 07:00 F2" → switches; null when a part cannot be read or the day does not start at 00:00. */
export function parseProgramme(text: string): TariffSwitch[] | null {
  const parts = text
    .split(/[,;\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const switches: TariffSwitch[] = [];
  for (const part of parts) {
    const match = /^(\d{1,2})[:.](\d{2})\s*F?([1-6])$/i.exec(part);
    if (!match) return null;
    const [hours, minutes] = [Number(match[1]), Number(match[2])];
    if (hours > 23 || minutes > 59) return null;
    const fromMinute = hours * 60 + minutes;
    if (switches.length > 0 && fromMinute <= switches[switches.length - 1]!.fromMinute) return null;
    switches.push({ fromMinute, band: Number(match[3]) });
  }
  return switches.length > 0 && switches[0]!.fromMinute === 0 ? switches : null;
}

const FINAL = ['completed', 'failed'];

/** A remote operation on one meter (read, connect, disconnect, available power, band calendar), followed to its outcome. */
export function OperationPage() {
  const labels = useLabels();
  const { t, label, language } = labels;
  const [params] = useSearchParams();
  const [pod, setPod] = useState(params.get('pod') ?? '');
  const [kind, setKind] = useState<string>('read_registers');
  const [powerW, setPowerW] = useState('3300');
  const [programme, setProgramme] = useState(ARERA);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [followId, setFollowId] = useState<string | null>(params.get('follow'));
  const followed = useLoad(
    (signal) =>
      followId
        ? api.get<Operation>(`/operations/${encodeURIComponent(followId)}`, undefined, { signal })
        : Promise.resolve(undefined),
    followId ?? '',
  );
  const recent = useLoad(
    (signal) => api.get<OperationList>('/operations', { limit: 10 }, { signal }),
    `recent|${followId}`,
  );
  const running = Boolean(followed.data && !FINAL.includes(followed.data.status));
  usePolling(
    async () => {
      await followed.reload(true);
    },
    1000,
    running,
  );
  usePolling(() => recent.reload(true), 3000, running);
  const finalStatus = followed.data && FINAL.includes(followed.data.status) ? followed.data.status : null;
  const reloadRecent = useRef(recent.reload);
  reloadRecent.current = recent.reload;
  // Once per outcome: the list shows the operation's final status too.
  useEffect(() => {
    if (finalStatus) void reloadRecent.current(true);
  }, [finalStatus, followId]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const problems: Record<string, string> = {};
    const podCode = podIssue(pod);
    if (podCode) problems.pod = label('fieldIssue', podCode);
    const body: Record<string, unknown> = { pod: normalisePod(pod), kind };
    if (kind === 'set_available_power') {
      const watts = Number(powerW.replace(/\./g, '').replace(',', '.'));
      if (!Number.isInteger(watts) || watts < 0 || watts > 100_000)
        problems.availablePowerW = label('fieldIssue', 'invalid_power');
      body.availablePowerW = watts;
    }
    if (kind === 'set_tariff_calendar') {
      const calendar: Partial<TariffCalendar> = {};
      for (const day of DAY_TYPES) {
        const parsed = parseProgramme(programme[day]);
        if (!parsed) problems[`calendar.${day}`] = t('operation.programmeInvalid');
        else calendar[day] = parsed;
      }
      body.calendar = calendar;
    }
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    try {
      const created = await api.post<Operation>('/operations', body);
      setFollowId(created.id);
    } catch (e) {
      setError(e);
      focusFirstInvalid();
    } finally {
      setBusy(false);
    }
  };

  const serverErrors = fieldErrorsOf(labels, error);
  const calendarServerError = Object.entries(serverErrors).find(([field]) => field.startsWith('calendar'))?.[1];
  const errors: Record<string, string | undefined> = { ...serverErrors, ...localErrors };
  if (isApiError(error) && error.code === 'not_telemanaged') errors.pod = label('errors', 'not_telemanaged');
  const formError =
    error && !(isApiError(error) && (error.fieldIssues.length > 0 || error.code === 'not_telemanaged'))
      ? errorText(labels, error)
      : null;

  return (
    <>
      <div className="page-head">
        <h1>{t('operation.title')}</h1>
        <p className="lead">{t('operation.intro')}</p>
      </div>
      <div className="grid grid-2-1">
        <form className="card form" onSubmit={submit} noValidate aria-labelledby="operation-form-title">
          <h2 id="operation-form-title">{t('operation.new')}</h2>
          {formError && (
            <div className="notice notice-error" role="alert">
              {formError}
            </div>
          )}
          <Field
            id="operation-pod"
            label={t('common.pod')}
            value={pod}
            onChange={setPod}
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="IT001E12345678"
            error={errors.pod}
            className="mono-input"
          />
          <SelectField
            id="operation-kind"
            label={t('operation.kind')}
            value={kind}
            onChange={setKind}
            options={KINDS.map((k) => ({ value: k, label: label('operationKind', k) }))}
            hint={t(`operation.kindHint.${kind as (typeof KINDS)[number]}`)}
          />
          {kind === 'set_available_power' && (
            <Field
              id="operation-power"
              label={t('operation.availablePowerW')}
              value={powerW}
              onChange={setPowerW}
              inputMode="numeric"
              required
              hint={t('operation.powerHint', {
                kw: Number.isFinite(Number(powerW)) ? formatKw(Number(powerW), language) : '—',
              })}
              error={errors.availablePowerW}
            />
          )}
          {kind === 'set_tariff_calendar' && (
            <fieldset>
              <legend>{t('operation.calendar')}</legend>
              <p className="hint">{t('operation.calendarHint')}</p>
              {calendarServerError && <p className="field-error">{calendarServerError}</p>}
              {DAY_TYPES.map((day) => (
                <Field
                  key={day}
                  id={`calendar-${day}`}
                  label={t(`operation.dayType.${day}`)}
                  value={programme[day]}
                  onChange={(value) => setProgramme((p) => ({ ...p, [day]: value }))}
                  className="mono-input"
                  error={errors[`calendar.${day}`]}
                />
              ))}
              <button type="button" className="button-secondary" onClick={() => setProgramme(ARERA)}>
                {t('operation.resetArera')}
              </button>
            </fieldset>
          )}
          {kind === 'disconnect' && <div className="notice notice-warning">{t('operation.disconnectWarning')}</div>}
          <button type="submit" disabled={busy}>
            {busy ? t('common.sending') : t('operation.submit')}
          </button>
        </form>
        <section className="card" aria-labelledby="outcome-title">
          <h2 id="outcome-title">{t('operation.outcome')}</h2>
          <div aria-live="polite">
            {!followId && <p className="empty">{t('operation.noneYet')}</p>}
            <ErrorNotice error={followed.error} />
            {followed.data && <OperationOutcome operation={followed.data} />}
          </div>
        </section>
      </div>
      <section aria-labelledby="recent-operations">
        <div className="section-head">
          <h2 id="recent-operations">{t('operation.recent')}</h2>
          <Link to="/dso/telemanagement">{t('operation.toTelemanagement')}</Link>
        </div>
        {recent.loading && <Loading />}
        {recent.data && recent.data.items.length === 0 && <EmptyState>{t('operation.noRecent')}</EmptyState>}
        {recent.data && recent.data.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('operation.recent')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('operation.submittedAt')}</th>
                  <th scope="col">{t('common.pod')}</th>
                  <th scope="col">{t('operation.kind')}</th>
                  <th scope="col">{t('common.status')}</th>
                  <th scope="col">{t('operation.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {recent.data.items.map((o) => (
                  <tr key={o.id}>
                    <td className="date">
                      <button type="button" className="link-button" onClick={() => setFollowId(o.id)}>
                        {formatDateTime(o.createdAt, language)}
                      </button>
                    </td>
                    <td className="mono">{o.pod}</td>
                    <td>{label('operationKind', o.kind)}</td>
                    <td>
                      <StatusBadge group="operationStatus" code={o.status} />
                    </td>
                    <td>{o.reason ? label('operationReason', o.reason) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {recent.data && recent.data.items.length > 0 && <p className="hint">{t('operation.recentHint')}</p>}
      </section>
    </>
  );
}

function OperationOutcome({ operation: o }: { operation: Operation }) {
  const { t, label, language } = useLabels();
  return (
    <div className="outcome" data-testid="operation-outcome">
      <p>
        {label('operationKind', o.kind)} · <span className="mono">{o.pod}</span> ·{' '}
        <StatusBadge group="operationStatus" code={o.status} />
      </p>
      {!FINAL.includes(o.status) && <p className="hint">{t('operation.following')}</p>}
      {o.status === 'failed' && (
        <p>
          {t('operation.reason')}: {label('operationReason', o.reason)}
        </p>
      )}
      {o.availablePowerW !== undefined && (
        <p>
          {t('operation.availablePower')}: {formatKw(o.availablePowerW, language)}
        </p>
      )}
      <dl className="details details-compact">
        <dt>{t('operation.submittedAt')}</dt>
        <dd>{formatDateTime(o.createdAt, language, true)}</dd>
        {o.completedAt && (
          <>
            <dt>{t('operation.completedAt')}</dt>
            <dd>{formatDateTime(o.completedAt, language, true)}</dd>
          </>
        )}
        {o.attempts !== null && (
          <>
            <dt>{t('operation.attempts')}</dt>
            <dd>{formatNumber(o.attempts, language)}</dd>
          </>
        )}
      </dl>
      {o.registers && (
        <>
          <h3>{t('operation.registers', { when: formatDateTime(o.registers.readAt, language, true) })}</h3>
          <dl className="details details-compact">
            <dt>{t('operation.importEnergy')}</dt>
            <dd className="num">{formatKwh(o.registers.importEnergyWh, language)}</dd>
            {o.registers.importEnergyByBandWh.map(
              (wh, i) =>
                (wh > 0 || i < 3) && (
                  <div key={i} className="details-pair">
                    <dt>{t('operation.band', { band: i + 1 })}</dt>
                    <dd className="num">{formatKwh(wh, language)}</dd>
                  </div>
                ),
            )}
            <dt>{t('operation.exportEnergy')}</dt>
            <dd className="num">{formatKwh(o.registers.exportEnergyWh, language)}</dd>
            <dt>{t('operation.availablePower')}</dt>
            <dd className="num">{formatKw(o.registers.availablePowerW, language)}</dd>
            <dt>{t('operation.supply')}</dt>
            <dd className="num">{o.registers.connected ? t('operation.connected') : t('operation.disconnected')}</dd>
          </dl>
        </>
      )}
    </div>
  );
}
