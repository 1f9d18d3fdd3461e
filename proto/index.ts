export * from './contractVersion.js';
export * from './errorCodes.js';
export * from './ipAddress.js';
export * from './agentFacts.js';
export * from './responder.js';
export * from './pmtuSweep.js';
export * from './httpHeaders.js';
export * from './listenAddress.js';
