/** snappyjs ships no types: the one function used here (it returns the type it was given). */
declare module 'snappyjs' {
  export function compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
}
