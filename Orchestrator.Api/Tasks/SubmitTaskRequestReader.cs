using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// Reads a <c>POST /tasks</c> body the way the seed's FastAPI/pydantic v1 service did, and answers every problem
/// at once, in field order (theme, budget, voice_id), with pydantic's messages. Stricter than pydantic where a
/// spending limit could be silently changed: 1.5 and true are not budgets. Never throws.
/// </summary>
public static class SubmitTaskRequestReader
{
    public const int MaxThemeLength = 2000;
    public const int MaxVoiceIdLength = 256;

    static readonly JsonDocumentOptions Json = new() { MaxDepth = 64 };

    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out SubmitTaskRequest? request, out IReadOnlyList<ValidationError> errors)
    {
        request = null;
        if (IsBlank(body))
        {
            errors = [new(["body"], "field required", "value_error.missing")];
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), Json);
        }
        catch (JsonException ex)
        {
            errors = [JsonSyntax.Describe(body, ex)];
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors = [new(["body"], "value is not a valid dict", "type_error.dict")];
                return false;
            }

            // Python's json keeps the last of duplicate keys.
            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
                fields[property.Name] = property.Value;

            var problems = new List<ValidationError>();
            var theme = ReadText(fields, "theme", MaxThemeLength, "Theme cannot be empty", problems)?.Trim();
            var budget = ReadBudget(fields, problems);
            var voiceId = ReadText(fields, "voice_id", MaxVoiceIdLength, "Voice id cannot be empty", problems);

            errors = problems;
            if (problems.Count > 0)
                return false;
            request = new SubmitTaskRequest(theme!, budget!.Value, voiceId!);
            return true;
        }
    }

    static string? ReadText(Dictionary<string, JsonElement> fields, string name, int maxLength, string blank, List<ValidationError> problems)
    {
        if (Present(fields, name, problems) is not { } value)
            return null;

        string? text = null;
        if (value.ValueKind == JsonValueKind.String)
        {
            try
            {
                text = value.GetString();
            }
            catch (InvalidOperationException)
            {
                // an escaped lone surrogate: not a string .NET can keep
            }
        }

        if (text is null)
            problems.Add(Problem(name, "str type expected", "type_error.str"));
        else if (text.Length > maxLength)
            problems.Add(Problem(name, $"ensure this value has at most {maxLength} characters", "value_error.any_str.max_length"));
        else if (string.IsNullOrWhiteSpace(text))
            problems.Add(Problem(name, blank, "value_error"));
        else
            return text;
        return null;
    }

    static int? ReadBudget(Dictionary<string, JsonElement> fields, List<ValidationError> problems)
    {
        if (Present(fields, "budget", problems) is not { } value)
            return null;

        BigInteger? number = value.ValueKind switch
        {
            JsonValueKind.Number => IntegralNumber(value.GetRawText()),
            JsonValueKind.String => BigInteger.TryParse(value.GetString()?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : null,
            _ => null,
        };

        if (number is not { } budget)
            problems.Add(Problem("budget", "value is not a valid integer", "type_error.integer"));
        else if (budget > int.MaxValue)
            problems.Add(Problem("budget", "ensure this value is less than or equal to 2147483647", "value_error.number.not_le"));
        else if (budget <= 0)
            problems.Add(Problem("budget", "Budget must be positive", "value_error"));
        else
            return (int)budget;
        return null;
    }

    /// <summary>50, 50.0 and 1e2 are the integer 50; 1.5 and 1e999 are not integers.</summary>
    static BigInteger? IntegralNumber(string literal)
    {
        if (BigInteger.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return integer;
        var real = double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(real) && double.IsInteger(real) ? new BigInteger(real) : null;
    }

    static JsonElement? Present(Dictionary<string, JsonElement> fields, string name, List<ValidationError> problems)
    {
        if (!fields.TryGetValue(name, out var value))
            problems.Add(Problem(name, "field required", "value_error.missing"));
        else if (value.ValueKind == JsonValueKind.Null)
            problems.Add(Problem(name, "none is not an allowed value", "type_error.none.not_allowed"));
        else
            return value;
        return null;
    }

    static ValidationError Problem(string field, string message, string type) => new(["body", field], message, type);

    static bool IsBlank(ReadOnlySpan<byte> body) => body.Trim(" \t\r\n"u8).IsEmpty;

    /// <summary>A JSON syntax error worded and located as Python's <c>json</c> module words it.</summary>
    static class JsonSyntax
    {
        public static ValidationError Describe(ReadOnlySpan<byte> body, JsonException error)
        {
            var offset = ByteOffset(body, error);
            var text = error.Message;
            var message = text switch
            {
                _ when text.Contains("invalid after a single JSON value", StringComparison.Ordinal) => "Extra data",
                _ when text.Contains("start of a property name", StringComparison.Ordinal) => "Expecting property name enclosed in double quotes",
                _ when text.Contains("after a property name", StringComparison.Ordinal) => "Expecting ':' delimiter",
                _ when text.Contains("after a value", StringComparison.Ordinal) => "Expecting ',' delimiter",
                _ when text.Contains("end of string", StringComparison.Ordinal) => "Unterminated string starting at",
                _ when text.Contains("escape", StringComparison.OrdinalIgnoreCase) => "Invalid \\escape",
                _ when text.Contains("control character", StringComparison.OrdinalIgnoreCase) => "Invalid control character at",
                _ => "Expecting value",
            };
            if (message == "Expecting value")
                offset = StartOfToken(body, offset);

            var before = body[..Math.Min(offset, body.Length)];
            var position = Encoding.UTF8.GetCharCount(before);
            var lineStart = before.LastIndexOf((byte)'\n') + 1;
            var line = before.Count((byte)'\n') + 1;
            var column = Encoding.UTF8.GetCharCount(before[lineStart..]) + 1;
            return new(["body", position], $"{message}: line {line} column {column} (char {position})", "value_error.jsondecode");
        }

        static int ByteOffset(ReadOnlySpan<byte> body, JsonException error)
        {
            var remainingLines = error.LineNumber ?? 0;
            var offset = 0;
            while (remainingLines > 0 && body[offset..].IndexOf((byte)'\n') is var next and >= 0)
            {
                offset += next + 1;
                remainingLines--;
            }

            return (int)Math.Min(body.Length, offset + (error.BytePositionInLine ?? 0));
        }

        /// <summary>Python reports a bad literal (<c>nul</c>, <c>tru</c>, <c>not json</c>) where the literal starts.</summary>
        static int StartOfToken(ReadOnlySpan<byte> body, int offset)
        {
            offset = Math.Min(offset, body.Length);
            while (offset > 0 && IsLiteralByte(body[offset - 1]))
                offset--;
            return offset;
        }

        static bool IsLiteralByte(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z';
    }
}
