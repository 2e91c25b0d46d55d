// Side-effect CSS imports (`import './globals.css'`) are bundled by Next; tsc only needs to know they exist.
declare module '*.css';
