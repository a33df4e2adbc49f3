/** Recommended models for a browser, why larger ones do not suit it, and the Quick start choice. */
export { RECOMMENDED_REPOS, type RecommendationTier, type RecommendedRepo } from './catalog';
export { pickQuickStart, whyNot, type RatedModel } from './pick';
