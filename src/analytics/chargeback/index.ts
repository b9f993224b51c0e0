/** chargeback: showback and chargeback per team, cost center, app or environment. */
export * from './chargeback.js';
