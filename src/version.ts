export const VERSION: string = __VERSION__;
export const TOOL_NAME = "vya-backupdb";
