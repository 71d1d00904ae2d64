using System.Globalization;
using System.Text;

namespace Orchestrator.Api.Tasks.FastApiCompat;

/// <summary>Strings as Python sees them: code points, and Python's idea of white space.</summary>
static class PythonText
{
    public static int Length(string text)
    {
        var length = text.Length;
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsSurrogatePair(text[i], text[i + 1]))
            {
                length--;
                i++;
            }
        }

        return length;
    }

    /// <summary><c>str.isspace</c>: .NET's white space plus the information separators U+001C..U+001F.</summary>
    static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    public static string Strip(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsSpace(text[start]))
            start++;
        while (end > start && IsSpace(text[end - 1]))
            end--;
        return text[start..end];
    }

    /// <summary>
    /// pydantic v1's <c>int(str)</c>: at most <paramref name="maxLength"/> characters; surrounding white space, a
    /// sign, decimal digits of any script, single underscores between digits. The magnitude is capped at
    /// <paramref name="cap"/>.
    /// </summary>
    public static (int Sign, long? Magnitude) ParseInt(string text, int maxLength, long cap)
    {
        if (Length(text) > maxLength)
            return (0, null);

        var s = Strip(text);
        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+'))
            s = s[1..];

        long magnitude = 0;
        var digits = 0;
        var afterUnderscore = false;
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.Value == '_')
            {
                if (digits == 0 || afterUnderscore)
                    return (0, null);
                afterUnderscore = true;
                continue;
            }

            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.DecimalDigitNumber)
                return (0, null);
            magnitude = Math.Min(magnitude * 10 + (long)Rune.GetNumericValue(rune), cap);
            digits++;
            afterUnderscore = false;
        }

        if (digits == 0 || afterUnderscore)
            return (0, null);
        return (magnitude == 0 ? 0 : negative ? -1 : 1, magnitude);
    }
}
