'use client';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Toasts, type Toast } from './toasts.tsx';

type PushToast = (toast: Omit<Toast, 'id'> & { readonly id?: string }) => void;

const ToastContext = createContext<PushToast | null>(null);

// Enough to see a burst; older ones make room so the stack never covers the page.
const MAX_TOASTS = 5;

/** Holds the page's toasts and renders them in a fixed corner. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  const push = useCallback<PushToast>((toast) => {
    const id = toast.id ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    setToasts((list) => (list.some((t) => t.id === id) ? list : [...list, { ...toast, id }].slice(-MAX_TOASTS)));
  }, []);
  const dismiss = useCallback((id: string) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </ToastContext.Provider>
  );
}

export function useToast(): PushToast {
  const push = useContext(ToastContext);
  if (!push) throw new Error('useToast must be used inside <ToastProvider>');
  return push;
}
