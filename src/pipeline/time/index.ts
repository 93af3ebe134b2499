/** Time: hours, instants, wall-clock parsing, zones and the one visibility rule. */
export * from "./hours.js";
export * from "./zone.js";
