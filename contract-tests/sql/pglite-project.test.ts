import { describeProjectOnSql } from './project-suites.js';
import { pgliteInMemory } from './sql-backends.js';

describeProjectOnSql(pgliteInMemory);
