import { NavLink, Outlet } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useLabels } from '../i18n.ts';
import { useSession, useUser } from '../session.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

const ASSET_PROVIDER_LINKS = [
  ['/dashboard', 'nav.dashboard'],
  ['/eligibility', 'nav.eligibility'],
  ['/associations', 'nav.associations'],
  ['/bulk-uploads', 'nav.bulkUploads'],
  ['/requests', 'nav.requests'],
  ['/monitoring', 'nav.monitoring'],
  ['/kpi-reports', 'nav.kpiReports'],
  ['/tokens', 'nav.tokens'],
] as const;
const OPERATOR_LINKS = [
  ['/dso/requests', 'nav.dsoRequests'],
  ['/dso/telemanagement', 'nav.telemanagement'],
  ['/dso/telemanagement/collection', 'nav.collection'],
  ['/dso/operations/new', 'nav.operation'],
  ['/dso/asset-providers', 'nav.assetProviders'],
  ['/monitoring', 'nav.monitoring'],
  ['/tokens', 'nav.tokens'],
] as const;
/** Retailers: the monitoring of the supply points they serve (their home page), their KPI reports, their API tokens. */
const RETAILER_LINKS = [
  ['/monitoring', 'nav.monitoring'],
  ['/kpi-reports', 'nav.kpiReports'],
  ['/tokens', 'nav.tokens'],
] as const;
/** Links whose pages have pages below them (a drill-down): highlighted there too. */
const PARENT_LINKS: readonly string[] = ['/associations', '/monitoring'];
/** Links with a link of their own below them: current on their page only, not on the one below. */
const EXACT_LINKS: readonly string[] = ['/dso/telemanagement'];

/** Header (who, language, sign out), the role's navigation, and the page in <main>. */
export function Layout() {
  const { t } = useTranslation();
  const user = useUser();
  const { logout } = useSession();
  const links =
    user.role === 'dso_operator'
      ? OPERATOR_LINKS
      : user.role === 'asset_provider'
        ? ASSET_PROVIDER_LINKS
        : RETAILER_LINKS;
  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="site-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            C2
          </span>
          <span>{t('app.name')}</span>
        </div>
        <div className="who">
          <span className="who-name">{user.fullName}</span>
          <span className="who-org">
            {user.assetProvider?.name ??
              user.retailer?.name ??
              t(user.role === 'retailer' ? 'roles.retailer' : 'roles.dso_operator')}
          </span>
        </div>
        <LanguageSwitch />
        <button type="button" className="button-secondary" onClick={() => void logout()}>
          {t('nav.logout')}
        </button>
      </header>
      <nav className="site-nav" aria-label={t('nav.label')}>
        <ul>
          {links.map(([to, key]) => (
            <li key={to}>
              <NavLink to={to} end={EXACT_LINKS.includes(to) ? true : PARENT_LINKS.includes(to) ? false : undefined}>
                {t(key)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <AssetProviderBanner />
        <Outlet />
      </main>
    </>
  );
}

/** A representative of an asset provider that is not active cannot use the online services: say it on every page. */
function AssetProviderBanner() {
  const { t, label } = useLabels();
  const user = useUser();
  const status = user.assetProvider?.status;
  if (user.role !== 'asset_provider' || !status || status === 'active') return null;
  return (
    <div className="notice notice-warning banner" role="alert">
      <strong>{t('banner.title', { status: label('assetProviderStatus', status) })}</strong>{' '}
      {status === 'suspended' ? t('banner.suspended') : t('banner.notActive')}
    </div>
  );
}
