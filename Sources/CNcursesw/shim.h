#ifndef WORKBENCH_CNCURSESW_SHIM_H
#define WORKBENCH_CNCURSESW_SHIM_H
// The wide-character calls (mvaddwstr, setcchar, wget_wch) are only declared with
// NCURSES_WIDECHAR set before ncurses.h.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncurses.h>
// Not visible through Glibc's Swift overlay.
int wcwidth(wchar_t c);
#endif
