#!/usr/bin/env node
// `npx energy-forecast` runs this file through node_modules/.bin/energy-forecast. The command is
// declared by this small linked package (a `file:bin/npx` dependency), not by the project's own
// package.json: `npm exec` installs a project's own bin into its npx cache after reading the whole
// install tree (about a second per start), while a bin already in node_modules/.bin is run at once.
import "../energy-forecast.js";
