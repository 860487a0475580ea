#!/usr/bin/env node
// `npx ar …`: runs the TypeScript command line through tsx without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
