import { describeSimulationOnSql } from './simulation-suites.js';
import { pgliteInMemory } from './sql-backends.js';

describeSimulationOnSql(pgliteInMemory);
