// The backoff scale of tests that take a provider down (CoreOptions.backoffScale): the simulators recover the
// moment a fault is lifted, so a tenth of the product's backoff takes every retry path, in the same order,
// without the suite sitting out real backoffs.
export const TEST_BACKOFF_SCALE = 0.1;
