import type { Rule } from '../rule.js';
import childless from './childless.js';
import duplicate from './duplicate.js';
import operationSet from './operation-set.js';
import orphan from './orphan.js';
import parse from './parse.js';
import pathConflict from './path-conflict.js';
import reference from './reference.js';
import regex from './regex.js';
import release from './release.js';
import resource from './resource.js';
import selector from './selector.js';
import servicePort from './service-port.js';

/** Every built-in rule, sorted by id. A test keeps this list, the rule files and their docs in step. */
export const RULES: readonly Rule[] = [
  childless,
  duplicate,
  operationSet,
  orphan,
  parse,
  pathConflict,
  reference,
  regex,
  release,
  resource,
  selector,
  servicePort,
] as Rule[];
