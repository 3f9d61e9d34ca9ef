// Session state: who is logged in, shared through context.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onUnauthenticated, type Me } from './api';

type Status = 'loading' | 'anonymous' | 'member' | 'error';

interface Session {
  status: Status;
  me: Me | null;
  error: ApiError | null;
  setMe: (me: Me | null) => void;
  logout: () => Promise<void>;
  retry: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: Me | null }) {
  const [me, setMeState] = useState<Me | null>(initial ?? null);
  const [status, setStatus] = useState<Status>(initial === undefined ? 'loading' : initial ? 'member' : 'anonymous');
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  const setMe = useCallback((m: Me | null) => {
    setMeState(m);
    setError(null);
    setStatus(m ? 'member' : 'anonymous');
  }, []);

  useEffect(() => {
    if (initial !== undefined && attempt === 0) return;
    let cancelled = false;
    api.me().then(
      (m) => !cancelled && setMe(m),
      (e: ApiError) => {
        if (cancelled) return;
        if (e.status === 401) setMe(null);
        else {
          setError(e);
          setStatus('error');
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt, initial, setMe]);

  useEffect(() => onUnauthenticated(() => setMe(null)), [setMe]);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setMe(null);
    }
  }, [setMe]);

  const retry = useCallback(() => {
    setStatus('loading');
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ status, me, error, setMe, logout, retry }), [status, me, error, setMe, logout, retry]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
