/** The fix for a failed connection or plan, from the words of the error. */
export function fixFor(message: string, where: string): string | undefined {
  if (/authentication failed|Access denied|password/i.test(message)) return `check user and password (or password_file) of ${where}, and that the server lets this user in from here`;
  if (/could not connect|Connection refused|Can't connect|could not translate host|Unknown (MySQL|MariaDB) server host|timeout expired/i.test(message)) return `check host/port (or socket) of ${where} and that the server runs and accepts connections from this machine`;
  if (/does not exist|Unknown database/i.test(message)) return `check the databases list of ${where}`;
  if (/no file matches/.test(message)) return `check the paths patterns of ${where}`;
  if (/not found|install/i.test(message)) return "install the client tools named above (docs: README, Install)";
  return undefined;
}
