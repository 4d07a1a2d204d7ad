/** Shared by the server's validation and the browser's form hints. */
export const MIN_PASSWORD_LENGTH = 12;
