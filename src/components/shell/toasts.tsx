'use client';
import { useEffect } from 'react';

export interface Toast {
  readonly id: string;
  readonly message: string;
  readonly level: 'info' | 'success' | 'warning' | 'error';
}

// Long enough to read a sentence; errors stay until dismissed so they are never missed.
const TOAST_LIFETIME_MS = 8_000;

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: string) => void }) {
  useEffect(() => {
    if (toast.level === 'error') return;
    const timer = setTimeout(() => onDismiss(toast.id), TOAST_LIFETIME_MS);
    return () => clearTimeout(timer);
  }, [toast, onDismiss]);
  return (
    <li
      role={toast.level === 'error' ? 'alert' : 'status'}
      className={`toast toast-${toast.level}`}
      data-toast-id={toast.id}
    >
      <span>{toast.message}</span>
      <button type="button" aria-label="Dismiss" onClick={() => onDismiss(toast.id)}>
        ×
      </button>
    </li>
  );
}

/** Fixed corner stack: toasts overlay the page instead of pushing content (no layout jumps). */
export function Toasts({ toasts, onDismiss }: { toasts: readonly Toast[]; onDismiss: (id: string) => void }) {
  return (
    <ul className="toasts" aria-label="Toasts">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} onDismiss={onDismiss} />
      ))}
    </ul>
  );
}
