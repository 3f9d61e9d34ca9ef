// The equity area's pages, loaded on demand (one chunk, never in the labeller's path).
export { EquityHomePage } from './Holdings';
export { StatementPage } from './Statement';
export { TransferPage } from './Transfer';
export { RegisterPage } from './Register';
export { GovernPage } from './Govern';
