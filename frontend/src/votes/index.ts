// The Votes area's pages, loaded on demand (one chunk, never in the labeller's path).
export { VotesHomePage, ProposalPage, NewProposalPage, ConstitutionPage } from './VotesPage';
