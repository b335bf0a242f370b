import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, apiUrl } from '../api.ts';
import { Field, SelectField } from '../components/Field.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { Pager } from '../components/Pager.tsx';
import { RequestsTable } from '../components/RequestsTable.tsx';
import { useCursorPages, useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import { allOf, type RequestList, type ServiceRequest } from '../types.ts';

const KINDS = allOf<ServiceRequest['kind']>()(['create', 'modify', 'delete']);

/** The open-requests report (or closed, or all), filtered, with the same selection as a CSV for a spreadsheet. */
export function RequestsPage() {
  const { t, label } = useLabels();
  const [params, setParams] = useSearchParams();
  const state = params.get('state') ?? 'open';
  const kind = params.get('kind') ?? '';
  const pod = params.get('pod') ?? '';
  const [podInput, setPodInput] = useState(pod);
  const filters = { state: state === 'all' ? '' : state, kind, pod };
  const pages = useCursorPages(`${state}|${kind}|${pod}`);
  const list = useLoad(
    (signal) => api.get<RequestList>('/requests', { ...filters, cursor: pages.cursor, limit: 25 }, { signal }),
    `${state}|${kind}|${pod}|${pages.cursor}`,
  );

  const apply = (next: Partial<{ state: string; kind: string; pod: string }>) => {
    const merged = { state, kind, pod, ...next };
    const search = new URLSearchParams();
    if (merged.state !== 'open') search.set('state', merged.state);
    if (merged.kind) search.set('kind', merged.kind);
    if (merged.pod) search.set('pod', merged.pod.trim().toUpperCase());
    setParams(search);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({ pod: podInput });
  };

  return (
    <>
      <div className="page-head with-action">
        <h1>{t('requests.title')}</h1>
        <a className="button button-secondary" href={apiUrl('/requests.csv', filters)} download>
          {t('requests.export')}
        </a>
      </div>
      <p className="lead">{t('requests.intro')}</p>
      <form className="filters" onSubmit={submit} role="search" aria-label={t('common.filters')}>
        <SelectField
          id="filter-state"
          label={t('requests.state')}
          value={state}
          onChange={(value) => apply({ state: value })}
          options={[
            { value: 'open', label: t('requests.open') },
            { value: 'closed', label: t('requests.closed') },
            { value: 'all', label: t('common.all') },
          ]}
        />
        <SelectField
          id="filter-kind"
          label={t('requests.kind')}
          value={kind}
          onChange={(value) => apply({ kind: value })}
          options={[
            { value: '', label: t('common.all') },
            ...KINDS.map((k) => ({ value: k, label: label('requestKind', k) })),
          ]}
        />
        <Field
          id="filter-pod"
          label={t('common.pod')}
          value={podInput}
          onChange={setPodInput}
          placeholder="IT001E…"
          autoComplete="off"
        />
        <div className="filter-actions">
          <button type="submit">{t('common.search')}</button>
        </div>
      </form>
      <ErrorNotice error={list.error} />
      {list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && (
        <EmptyState>
          {state === 'open' && !kind && !pod ? t('requests.noneOpen') : t('requests.noneFiltered')}
        </EmptyState>
      )}
      {list.data && list.data.items.length > 0 && (
        <RequestsTable requests={list.data.items} caption={t('requests.title')} />
      )}
      <Pager
        pageNumber={pages.pageNumber}
        hasPrevious={pages.hasPrevious}
        nextCursor={list.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </>
  );
}
