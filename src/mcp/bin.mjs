#!/usr/bin/env node
// The `pubdev-mcp` command: runs the TypeScript server through tsx's loader (docs/mcp.md).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
