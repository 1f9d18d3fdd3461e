/** A CA outlives several rounds of leaf certificates; a leaf stays within the 398 days browsers allow. */
export const CA_DAYS = 1825;
export const LEAF_DAYS = 365;
