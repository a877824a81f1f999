#ifndef WORKBENCH_CNCURSESW_SHIM_H
#define WORKBENCH_CNCURSESW_SHIM_H
// The wide-character calls (mvaddwstr, setcchar, wget_wch) are only declared with
// NCURSES_WIDECHAR set before ncurses.h.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <wchar.h>
#include <ncurses.h>
// Not visible through Glibc's Swift overlay.
int wcwidth(wchar_t c);

// Swift cannot import function-like macros or use ncurses' and stdio's global variables
// under strict concurrency; these accessors stand in for them. Only TerminalUI's
// NcursesBackend calls the ones that touch ncurses state.

static inline WINDOW *wb_stdscr(void) { return stdscr; }
static inline int wb_colors(void) { return COLORS; }
static inline int wb_color_pairs(void) { return COLOR_PAIRS; }
static inline FILE *wb_stdin(void) { return stdin; }
static inline FILE *wb_stdout(void) { return stdout; }
static inline const char *wb_codeset(void) { return nl_langinfo(CODESET); }
// Whether the current terminal description can move the cursor (TERM=dumb cannot).
static inline int wb_can_address_cursor(void) {
    char *s = tigetstr("cup");
    return s != 0 && s != (char *)-1;
}

static inline attr_t wb_attr_normal(void) { return A_NORMAL; }
static inline attr_t wb_attr_bold(void) { return A_BOLD; }
static inline attr_t wb_attr_dim(void) { return A_DIM; }
static inline attr_t wb_attr_reverse(void) { return A_REVERSE; }
static inline attr_t wb_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t wb_attr_altcharset(void) { return A_ALTCHARSET; }

static inline mmask_t wb_mouse_all_events(void) { return ALL_MOUSE_EVENTS; }
static inline mmask_t wb_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t wb_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t wb_button2_pressed(void) { return BUTTON2_PRESSED; }
static inline mmask_t wb_button2_clicked(void) { return BUTTON2_CLICKED; }
static inline mmask_t wb_button3_pressed(void) { return BUTTON3_PRESSED; }
static inline mmask_t wb_button3_clicked(void) { return BUTTON3_CLICKED; }
static inline mmask_t wb_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t wb_button5_pressed(void) { return BUTTON5_PRESSED; }

// Line-drawing characters for terminals whose locale cannot show Unicode box drawing.
static inline const cchar_t *wb_wacs_hline(void) { return WACS_HLINE; }
static inline const cchar_t *wb_wacs_vline(void) { return WACS_VLINE; }
static inline const cchar_t *wb_wacs_ulcorner(void) { return WACS_ULCORNER; }
static inline const cchar_t *wb_wacs_urcorner(void) { return WACS_URCORNER; }
static inline const cchar_t *wb_wacs_llcorner(void) { return WACS_LLCORNER; }
static inline const cchar_t *wb_wacs_lrcorner(void) { return WACS_LRCORNER; }
static inline const cchar_t *wb_wacs_ltee(void) { return WACS_LTEE; }
static inline const cchar_t *wb_wacs_rtee(void) { return WACS_RTEE; }
static inline const cchar_t *wb_wacs_ttee(void) { return WACS_TTEE; }
static inline const cchar_t *wb_wacs_btee(void) { return WACS_BTEE; }
static inline const cchar_t *wb_wacs_plus(void) { return WACS_PLUS; }
static inline const cchar_t *wb_wacs_block(void) { return WACS_BLOCK; }
static inline const cchar_t *wb_wacs_ckboard(void) { return WACS_CKBOARD; }
static inline const cchar_t *wb_wacs_bullet(void) { return WACS_BULLET; }
#endif
