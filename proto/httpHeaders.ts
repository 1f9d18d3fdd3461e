/** Every request and response carries the contract version in this header too (GET has no body). */
export const CONTRACT_VERSION_HEADER = 'pathprobe-contract-version';
