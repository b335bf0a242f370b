import { backends } from '../../test/support/databases.js';
import { storageContract } from './storage.contract.js';

for (const backend of backends()) storageContract(backend);
