'use client';

import { createContext, useContext } from 'react';

/**
 * Whether the page is already inside the shell's <main>. The 403, 404 and error pages render both
 * inside the signed-in shell (forbidden() or notFound() from one of its pages) and on their own (an
 * unknown address); a page must have exactly one main landmark, so they ask before drawing one.
 */
const InsideMain = createContext(false);

export function InsideMainLandmark({ children }: { children: React.ReactNode }) {
  return <InsideMain.Provider value={true}>{children}</InsideMain.Provider>;
}

/** The page's main landmark, or a plain block when the shell has drawn it already. */
export function MainLandmark({ className, children }: { className?: string; children: React.ReactNode }) {
  if (useContext(InsideMain)) return <div className={className}>{children}</div>;
  return (
    <main id="main" className={className}>
      {children}
    </main>
  );
}
