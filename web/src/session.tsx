import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, isApiError, onAccessChanged, onSessionExpired, setCsrfToken } from './api.ts';
import type { Session, SessionUser } from './types.ts';

/**
 * Who is signed in, from the session cookie (HttpOnly: the portal never sees it). The CSRF token of the session is
 * handed to the API client; a 401 anywhere ends the session here and the routes send the user to the login page.
 */
export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; ended?: 'expired' | 'logged_out' }
  | { status: 'authenticated'; user: SessionUser };

interface SessionContextValue {
  state: SessionState;
  login: (email: string, password: string) => Promise<SessionUser>;
  logout: () => Promise<void>;
  /** Reads the session again (e.g. after the asset provider's status may have changed). */
  refresh: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const adopt = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken);
    setState({ status: 'authenticated', user: session.user });
    return session.user;
  }, []);

  const refresh = useCallback(async () => {
    try {
      adopt(await api.get<Session>('/session', undefined, { anonymous: true }));
    } catch (error) {
      if (isApiError(error) && error.status === 401) {
        setCsrfToken(null);
        setState((s) =>
          s.status === 'authenticated' ? { status: 'anonymous', ended: 'expired' } : { status: 'anonymous' },
        );
      } else {
        setState((s) => (s.status === 'loading' ? { status: 'anonymous' } : s));
      }
    }
  }, [adopt]);

  useEffect(() => {
    onSessionExpired(() => {
      setCsrfToken(null);
      setState((s) => (s.status === 'authenticated' ? { status: 'anonymous', ended: 'expired' } : s));
    });
    onAccessChanged(() => void refresh());
    void refresh();
  }, [refresh]);

  const login = useCallback(
    async (email: string, password: string) => {
      const session = await api.post<Session>(
        '/session',
        { email, password },
        { anonymous: true, noIdempotencyKey: true },
      );
      return adopt(session);
    },
    [adopt],
  );

  const logout = useCallback(async () => {
    try {
      await api.delete<void>('/session');
    } catch {
      // Already expired or unreachable: the user is signed out here either way.
    }
    setCsrfToken(null);
    setState({ status: 'anonymous', ended: 'logged_out' });
  }, []);

  const value = useMemo(() => ({ state, login, logout, refresh }), [state, login, logout, refresh]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const context = useContext(SessionContext);
  if (!context) throw new Error('useSession outside SessionProvider');
  return context;
}

/** The signed-in user; only for pages under an authenticated route. */
export function useUser(): SessionUser {
  const { state } = useSession();
  if (state.status !== 'authenticated') throw new Error('useUser on a page without a session');
  return state.user;
}

export function homeOf(user: SessionUser): string {
  if (user.role === 'dso_operator') return '/dso/requests';
  return user.role === 'asset_provider' ? '/dashboard' : '/monitoring';
}
