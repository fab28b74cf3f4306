#include <png.h>
/* Function-like and composite macros Swift cannot import. */
static const unsigned int spotfinder_png_format_rgb = PNG_FORMAT_RGB;
static const unsigned int spotfinder_png_format_rgba = PNG_FORMAT_RGBA;
