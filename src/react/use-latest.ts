'use client';
import { useLayoutEffect, useRef, type RefObject } from 'react';

// useLayoutEffect warns on the server; the ref only matters in the browser anyway.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? () => undefined : useLayoutEffect;

/** A ref that always holds the latest value, so a listener subscribed once calls the newest callback. */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useIsomorphicLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
