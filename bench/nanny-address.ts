/** benchAddress is the i-th of the nanny benchmarks' real servers: distinct 127.x.y.z addresses, which one listener on 0.0.0.0 answers. */
export const benchAddress = (i: number): string => `127.${1 + Math.floor(i / 62500)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;
