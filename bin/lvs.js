#!/usr/bin/env node
// lvs is the name lvsd had before piranha 0.8.0.
import { launch } from './launch.js';

await launch('lvsd');
