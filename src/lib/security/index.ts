/** The app's own defences that belong to no one feature: the frame guard, reading our own CSP. */
export { directiveSources, isAllowedByCsp, pagePolicy } from './csp';
export { framedByAnotherOrigin } from './framing';
export {
	MAX_APPROVED_ORIGINS,
	isApprovableOrigin,
	isLoopbackHost,
	loopbackHttpAllowedFor,
	parseApprovableOrigin,
	type OriginPolicy
} from './origin-parse';
export { rewriteCspMeta, withConnectSources } from './csp-rewrite';
export {
	APPROVED_ORIGINS_SETTING_KEY,
	approveOrigin,
	listApprovedOrigins,
	revokeOrigin
} from './approved-origins';
