using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// Reads a <c>POST /tasks</c> body the way the seed's FastAPI/pydantic v1 service did, and answers every problem
/// at once, in field order (theme, budget, voice_id), with pydantic's messages. Stricter than pydantic where a
/// spending limit could be silently changed: 1.5 and true are not budgets. Never throws.
/// </summary>
public static class SubmitTaskRequestReader
{
    public const int MaxThemeLength = TaskRules.MaxThemeLength;
    public const int MaxVoiceIdLength = TaskRules.MaxVoiceIdLength;

    /// <summary>Python's json gives up near its recursion limit (about 1000 levels); so do we.</summary>
    const int MaxDepth = 1000;

    /// <summary>pydantic v1 refuses to convert a string longer than this to an int (CVE-2020-10735).</summary>
    const int MaxIntegerStringLength = 4300;

    /// <summary>A budget magnitude known to be above <see cref="int.MaxValue"/>; larger ones are capped to it.</summary>
    const long Cap = (long)int.MaxValue + 1;

    static readonly JsonReaderOptions Options = new() { MaxDepth = MaxDepth };

    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out SubmitTaskRequest? request, out IReadOnlyList<ValidationError> errors)
    {
        request = null;
        if (body.StartsWith("\uFEFF"u8))
            body = body[3..]; // Python's json.loads(bytes) decodes as utf-8-sig

        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            errors = [new(["body"], "field required", "value_error.missing")];
            return false;
        }

        if (!Utf8.IsValid(body))
        {
            errors = [JsonSyntax.InvalidUtf8(body)];
            return false;
        }

        Fields fields;
        try
        {
            fields = ReadFields(body);
        }
        catch (JsonException)
        {
            errors = [JsonSyntax.Describe(body)];
            return false;
        }

        if (!fields.IsObject)
        {
            errors = [new(["body"], "value is not a valid dict", "type_error.dict")];
            return false;
        }

        var problems = new List<ValidationError>();
        var theme = ReadText(body, fields.Theme, "theme", trim: true, MaxThemeLength, "Theme cannot be empty", problems);
        var budget = ReadBudget(body, fields.Budget, problems);
        var voiceId = ReadText(body, fields.VoiceId, "voice_id", trim: false, MaxVoiceIdLength, "Voice id cannot be empty", problems);

        // A string .NET cannot hold (an escaped lone surrogate) is answered as a syntax error of the whole body.
        if (problems.Find(p => p.Type == JsonSyntax.Type) is { } undecodable)
        {
            errors = [undecodable];
            return false;
        }

        errors = problems;
        if (problems.Count > 0)
            return false;
        request = new SubmitTaskRequest(theme!, budget!.Value, voiceId!);
        return true;
    }

    /// <summary>A top-level member's value: its kind, where its token starts, and its raw length.</summary>
    readonly record struct Field(JsonTokenType Kind, int Start, int Length)
    {
        public bool IsPresent => Kind != JsonTokenType.None;
    }

    readonly record struct Fields(bool IsObject, Field Theme, Field Budget, Field VoiceId);

    /// <summary>Reads (and so validates) the whole document; throws <see cref="JsonException"/> on bad syntax.</summary>
    static Fields ReadFields(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, Options);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            while (reader.Read())
            {
                // the reader throws on anything after the single value
            }

            return new Fields(false, default, default, default);
        }

        Field theme = default, budget = default, voiceId = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            var field = new Field(reader.TokenType, (int)reader.TokenStartIndex, reader.ValueSpan.Length);
            reader.Skip();

            // Python's json keeps the last of duplicate keys; keys are case-sensitive.
            switch (name)
            {
                case "theme": theme = field; break;
                case "budget": budget = field; break;
                case "voice_id": voiceId = field; break;
            }
        }

        while (reader.Read())
        {
            // the reader throws on anything after the object
        }

        return new Fields(true, theme, budget, voiceId);
    }

    static string? Name(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.ValueTextEquals("theme"u8) ? "theme"
                : reader.ValueTextEquals("budget"u8) ? "budget"
                : reader.ValueTextEquals("voice_id"u8) ? "voice_id"
                : null;
        }
        catch (InvalidOperationException)
        {
            return null; // an escaped lone surrogate: some other key
        }
    }

    static string? ReadText(ReadOnlySpan<byte> body, Field field, string name, bool trim, int maxLength, string blank, List<ValidationError> problems)
    {
        if (!Present(field, name, problems))
            return null;

        if (field.Kind != JsonTokenType.String)
        {
            problems.Add(Problem(name, "str type expected", "type_error.str"));
            return null;
        }

        if (Decode(body, field, problems) is not { } text)
            return null;

        // Measured in UTF-16 code units, as the database columns are (Python counts code points: only a text
        // of characters beyond U+FFFF can tell the difference, and it is refused sooner here, never truncated).
        var value = trim ? PythonText.Strip(text) : text;
        if (value.Length > maxLength)
            problems.Add(Problem(name, $"ensure this value has at most {maxLength} characters", "value_error.any_str.max_length"));
        else if (PythonText.Strip(value).Length == 0)
            problems.Add(Problem(name, blank, "value_error"));
        else
            return value;
        return null;
    }

    static int? ReadBudget(ReadOnlySpan<byte> body, Field field, List<ValidationError> problems)
    {
        if (!Present(field, "budget", problems))
            return null;

        var known = problems.Count;
        var (sign, magnitude) = field.Kind switch
        {
            JsonTokenType.Number => IntegralNumber(body.Slice(field.Start, field.Length)),
            JsonTokenType.String => Decode(body, field, problems) is { } text ? PythonText.ParseInt(text, MaxIntegerStringLength) : (0, null),
            _ => (0, null),
        };

        if (problems.Count > known)
            return null; // undecodable
        if (magnitude is null)
            problems.Add(Problem("budget", "value is not a valid integer", "type_error.integer"));
        else if (sign > 0 && magnitude > int.MaxValue)
            problems.Add(Problem("budget", "ensure this value is less than or equal to 2147483647", "value_error.number.not_le"));
        else if (sign <= 0)
            problems.Add(Problem("budget", "Budget must be positive", "value_error"));
        else
            return (int)magnitude;
        return null;
    }

    /// <summary>
    /// The sign (-1, 0, 1) and the magnitude (capped at <see cref="Cap"/>) of a JSON number that is an integer:
    /// 50, 50.0 and 1e2 are; 1.5 and 1e999 (infinity to Python) are not.
    /// </summary>
    static (int Sign, long? Magnitude) IntegralNumber(ReadOnlySpan<byte> literal)
    {
        if (literal.IndexOfAny(".eE"u8) < 0)
        {
            var negative = literal[0] == (byte)'-';
            var digits = (negative ? literal[1..] : literal).TrimStart((byte)'0');
            if (digits.IsEmpty)
                return (0, 0);
            long magnitude = 0;
            foreach (var digit in digits)
                magnitude = Math.Min(magnitude * 10 + (digit - '0'), Cap);
            return (negative ? -1 : 1, magnitude);
        }

        var real = double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(real) || !double.IsInteger(real))
            return (0, null);
        return (Math.Sign(real), (long)Math.Min(Math.Abs(real), Cap));
    }

    static string? Decode(ReadOnlySpan<byte> body, Field field, List<ValidationError> problems)
    {
        var reader = new Utf8JsonReader(body[field.Start..], Options);
        reader.Read();
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            problems.Add(JsonSyntax.LoneSurrogate(body, field.Start));
            return null;
        }
    }

    static bool Present(Field field, string name, List<ValidationError> problems)
    {
        if (!field.IsPresent)
            problems.Add(Problem(name, "field required", "value_error.missing"));
        else if (field.Kind == JsonTokenType.Null)
            problems.Add(Problem(name, "none is not an allowed value", "type_error.none.not_allowed"));
        else
            return true;
        return false;
    }

    static ValidationError Problem(string field, string message, string type) => new(["body", field], message, type);

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
        /// pydantic v1's <c>int(str)</c>: at most 4300 characters; surrounding white space, a sign, decimal digits
        /// of any script, single underscores between digits. The magnitude is capped at <see cref="Cap"/>.
        /// </summary>
        public static (int Sign, long? Magnitude) ParseInt(string text, int maxLength)
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
                magnitude = Math.Min(magnitude * 10 + (long)Rune.GetNumericValue(rune), Cap);
                digits++;
                afterUnderscore = false;
            }

            if (digits == 0 || afterUnderscore)
                return (0, null);
            return (magnitude == 0 ? 0 : negative ? -1 : 1, magnitude);
        }
    }

    /// <summary>A JSON syntax error worded and located as Python's <c>json</c> module (its C scanner) words it.</summary>
    static class JsonSyntax
    {
        public const string Type = "value_error.jsondecode";

        public static ValidationError Describe(ReadOnlySpan<byte> body)
        {
            var text = CodePoints(body);
            var (message, position) = new Scanner(text).FindError() ?? ("Expecting value", 0);
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

        /// <summary>
        /// CPython's <c>_json.c</c> scanner, reduced to finding the first error (its messages are those of Python
        /// before 3.13). Strict JSON: NaN and Infinity, which Python accepts, are refused as System.Text.Json refuses
        /// them, and so is nesting deeper than <see cref="MaxDepth"/>.
        /// </summary>
        sealed class Scanner(int[] s)
        {
            enum Expect { Value, Key, AfterValue }

            readonly Stack<int> _open = new();
            (string, int)? _error;

            public (string Message, int Position)? FindError()
            {
                var idx = Whitespace(0);
                var expect = Expect.Value;
                while (true)
                {
                    switch (expect)
                    {
                        case Expect.Value:
                            if (idx >= s.Length)
                                return ("Expecting value", idx);
                            if (s[idx] == '"')
                            {
                                if (String(idx) is not { } end)
                                    return _error;
                                idx = end;
                                expect = Expect.AfterValue;
                            }
                            else if (s[idx] is '{' or '[')
                            {
                                if (_open.Count >= MaxDepth)
                                    return ("Maximum nesting depth exceeded", idx);
                                var close = s[idx] == '{' ? '}' : ']';
                                _open.Push(s[idx]);
                                expect = s[idx] == '{' ? Expect.Key : Expect.Value;
                                idx = Whitespace(idx + 1);
                                if (idx < s.Length && s[idx] == close)
                                {
                                    _open.Pop();
                                    idx++;
                                    expect = Expect.AfterValue;
                                }
                            }
                            else
                            {
                                if ((Literal(idx, "null") ?? Literal(idx, "true") ?? Literal(idx, "false") ?? Number(idx)) is not { } next)
                                    return ("Expecting value", idx);
                                idx = next;
                                expect = Expect.AfterValue;
                            }

                            break;

                        case Expect.Key:
                            if (idx >= s.Length || s[idx] != '"')
                                return ("Expecting property name enclosed in double quotes", idx);
                            if (String(idx) is not { } keyEnd)
                                return _error;
                            idx = Whitespace(keyEnd);
                            if (idx >= s.Length || s[idx] != ':')
                                return ("Expecting ':' delimiter", idx);
                            idx = Whitespace(idx + 1);
                            expect = Expect.Value;
                            break;

                        case Expect.AfterValue:
                            idx = Whitespace(idx);
                            if (_open.Count == 0)
                                return idx == s.Length ? null : ("Extra data", idx);

                            var inObject = _open.Peek() == '{';
                            if (idx < s.Length && s[idx] == (inObject ? '}' : ']'))
                            {
                                _open.Pop();
                                idx++;
                                break;
                            }

                            if (idx >= s.Length || s[idx] != ',')
                                return ("Expecting ',' delimiter", idx);
                            idx = Whitespace(idx + 1);
                            expect = inObject ? Expect.Key : Expect.Value;
                            break;
                    }
                }
            }

            int Whitespace(int idx)
            {
                while (idx < s.Length && s[idx] is ' ' or '\t' or '\n' or '\r')
                    idx++;
                return idx;
            }

            int? Literal(int idx, string word)
            {
                if (idx + word.Length > s.Length)
                    return null;
                for (var i = 0; i < word.Length; i++)
                {
                    if (s[idx + i] != word[i])
                        return null;
                }

                return idx + word.Length;
            }

            bool IsDigit(int idx) => idx < s.Length && s[idx] is >= '0' and <= '9';

            /// <summary>Python's number grammar; a dangling fraction or exponent is left for the caller to trip on.</summary>
            int? Number(int start)
            {
                var idx = start;
                if (idx < s.Length && s[idx] == '-')
                    idx++;
                if (idx < s.Length && s[idx] == '0')
                {
                    idx++;
                }
                else if (IsDigit(idx))
                {
                    while (IsDigit(idx))
                        idx++;
                }
                else
                {
                    return null;
                }

                if (idx < s.Length && s[idx] == '.' && IsDigit(idx + 1))
                {
                    idx += 2;
                    while (IsDigit(idx))
                        idx++;
                }

                if (idx < s.Length && s[idx] is 'e' or 'E')
                {
                    var exponent = idx + 1;
                    if (exponent < s.Length && s[exponent] is '-' or '+')
                        exponent++;
                    if (IsDigit(exponent))
                    {
                        while (IsDigit(exponent))
                            exponent++;
                        idx = exponent;
                    }
                }

                return idx;
            }

            /// <summary>The index after the closing quote of the string opening at <paramref name="begin"/>.</summary>
            int? String(int begin)
            {
                var next = begin + 1;
                while (true)
                {
                    while (next < s.Length && s[next] != '"' && s[next] != '\\')
                    {
                        if (s[next] <= 0x1F)
                            return Fail("Invalid control character at", next);
                        next++;
                    }

                    if (next >= s.Length)
                        return Fail("Unterminated string starting at", begin);
                    if (s[next] == '"')
                        return next + 1;

                    next++; // past the backslash
                    if (next == s.Length)
                        return Fail("Unterminated string starting at", begin);
                    if (s[next] != 'u')
                    {
                        if (s[next] is not ('"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't'))
                            return Fail("Invalid \\escape", next - 1);
                        next++;
                        continue;
                    }

                    next++; // past the u
                    var end = next + 4;
                    if (end >= s.Length)
                        return Fail("Invalid \\uXXXX escape", next - 1);
                    for (; next < end; next++)
                    {
                        if (s[next] > 0x7F || !char.IsAsciiHexDigit((char)s[next]))
                            return Fail("Invalid \\uXXXX escape", end - 5);
                    }
                }
            }

            int? Fail(string message, int position)
            {
                _error = (message, position);
                return null;
            }
        }
    }
}
