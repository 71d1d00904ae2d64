using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace Orchestrator.Api.Tasks.FastApiCompat;

/// <summary>
/// Reads a <c>POST /tasks</c> body the way the seed's FastAPI/pydantic v1 service did, and answers every problem
/// at once, in field order (theme, budget, voice_id), with pydantic's messages. Stricter than pydantic where a
/// spending limit could be silently changed: 1.5 and true are not budgets. Never throws. The field rules are
/// <see cref="TaskRules"/>'; Python's text and JSON rules are <see cref="PythonText"/>, <see cref="PythonJsonErrors"/>
/// and <see cref="PythonJsonScanner"/>.
/// </summary>
public static class SubmitTaskRequestReader
{
    /// <summary>pydantic v1 refuses to convert a string longer than this to an int (CVE-2020-10735).</summary>
    const int MaxIntegerStringLength = 4300;

    /// <summary>A budget magnitude known to be above <see cref="int.MaxValue"/>; larger ones are capped to it.</summary>
    const long Cap = (long)int.MaxValue + 1;

    static readonly JsonReaderOptions Options = new() { MaxDepth = PythonJsonScanner.MaxDepth };


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
            errors = [PythonJsonErrors.InvalidUtf8(body)];
            return false;
        }

        Fields fields;
        try
        {
            fields = ReadFields(body);
        }
        catch (JsonException)
        {
            errors = [PythonJsonErrors.Describe(body)];
            return false;
        }

        if (!fields.IsObject)
        {
            errors = [new(["body"], "value is not a valid dict", "type_error.dict")];
            return false;
        }

        var problems = new List<ValidationError>();
        var theme = ReadText(body, fields.Theme, "theme", trim: true, TaskRules.MaxThemeLength, TaskRules.BlankTheme, problems);
        var budget = ReadBudget(body, fields.Budget, problems);
        var voiceId = ReadText(body, fields.VoiceId, "voice_id", trim: false, TaskRules.MaxVoiceIdLength, TaskRules.BlankVoiceId, problems);

        // A string .NET cannot hold (an escaped lone surrogate) is answered as a syntax error of the whole body.
        if (problems.Find(p => p.Type == PythonJsonErrors.Type) is { } undecodable)
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
            JsonTokenType.String => Decode(body, field, problems) is { } text ? PythonText.ParseInt(text, MaxIntegerStringLength, Cap) : (0, null),
            _ => (0, null),
        };

        if (problems.Count > known)
            return null; // undecodable
        if (magnitude is null)
            problems.Add(Problem("budget", "value is not a valid integer", "type_error.integer"));
        else if (sign > 0 && magnitude > int.MaxValue)
            problems.Add(Problem("budget", "ensure this value is less than or equal to 2147483647", "value_error.number.not_le"));
        else if (sign <= 0)
            problems.Add(Problem("budget", TaskRules.BudgetNotPositive, "value_error"));
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
            problems.Add(PythonJsonErrors.LoneSurrogate(body, field.Start));
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
}
