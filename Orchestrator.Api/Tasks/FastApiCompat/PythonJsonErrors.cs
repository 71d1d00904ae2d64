using System.Buffers;
using System.Globalization;
using System.Text;

namespace Orchestrator.Api.Tasks.FastApiCompat;

/// <summary>A JSON syntax error worded and located as Python's <c>json</c> module (its C scanner) words it.</summary>
static class PythonJsonErrors
{
    public const string Type = "value_error.jsondecode";

    public static ValidationError Describe(ReadOnlySpan<byte> body)
    {
        var text = CodePoints(body);
        var (message, position) = new PythonJsonScanner(text).FindError() ?? ("Expecting value", 0);
        return Error(text, message, position);
    }

    public static ValidationError InvalidUtf8(ReadOnlySpan<byte> body)
    {
        var valid = 0;
        while (Rune.DecodeFromUtf8(body[valid..], out _, out var consumed) == OperationStatus.Done)
            valid += consumed;
        var text = CodePoints(body[..valid]);
        return Error(text, "Invalid UTF-8 byte", text.Length);
    }

    /// <summary>A string holding an escaped surrogate that is not half of a pair: pointed at that escape.</summary>
    public static ValidationError LoneSurrogate(ReadOnlySpan<byte> body, int stringStart)
    {
        var escape = stringStart;
        for (var i = stringStart + 1; i < body.Length && body[i] != (byte)'"'; i++)
        {
            if (body[i] != (byte)'\\')
                continue;
            if (Surrogate(body, i + 1) is { } high && char.IsHighSurrogate(high) && body.Length > i + 6 && body[i + 6] == (byte)'\\'
                && Surrogate(body, i + 7) is { } low && char.IsLowSurrogate(low))
            {
                i += 11;
            }
            else if (Surrogate(body, i + 1) is not null)
            {
                escape = i;
                break;
            }
            else
            {
                i++;
            }
        }

        var text = CodePoints(body[..escape]);
        return Error(text, "Invalid \\uXXXX escape", text.Length);
    }

    /// <summary>The surrogate written by the <c>uXXXX</c> escape at <paramref name="at"/>, if it is one.</summary>
    static char? Surrogate(ReadOnlySpan<byte> body, int at)
    {
        if (body.Length < at + 5 || body[at] != (byte)'u')
            return null;
        if (!ushort.TryParse(body.Slice(at + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            return null;
        var c = (char)value;
        return char.IsSurrogate(c) ? c : null;
    }

    static int[] CodePoints(ReadOnlySpan<byte> utf8) => [.. Encoding.UTF8.GetString(utf8).EnumerateRunes().Select(r => r.Value)];

    /// <summary>Python's <c>JSONDecodeError</c> text: 1-based line and column, 0-based character position.</summary>
    static ValidationError Error(int[] text, string message, int position)
    {
        var line = 1;
        var lastNewline = -1;
        for (var i = 0; i < position && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lastNewline = i;
            }
        }

        var column = position - lastNewline;
        return new(["body", position], $"{message}: line {line} column {column} (char {position})", Type);
    }
}
