using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace Orchestrator.ServiceDefaults;

/// <summary>
/// Every text value a log line carries (a chat model's answer, a marketplace's error, an owner id) is written on
/// that line: line breaks and other control characters in it are replaced by escapes (<c>\n</c>, <c>\u001b</c>),
/// so that text from outside can neither forge a line of its own nor drive the terminal that shows the log.
/// </summary>
public sealed class OneLineLogValues : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? escaped = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (Escape(value) is { } replacement)
                (escaped ??= []).Add(new LogEventProperty(name, replacement));
        }

        foreach (var property in escaped ?? [])
            logEvent.AddOrUpdateProperty(property);
    }

    /// <summary>The text with its control characters (and the Unicode line and paragraph separators) escaped.</summary>
    public static string Escape(string text)
    {
        if (!text.Any(NeedsEscape))
            return text;

        var line = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            var escape = c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when NeedsEscape(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => null,
            };
            if (escape is null)
                line.Append(c);
            else
                line.Append(escape);
        }

        return line.ToString();
    }

    /// <summary>The value with its texts escaped, or null when none needs it.</summary>
    static LogEventPropertyValue? Escape(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when text.Any(NeedsEscape) => new ScalarValue(Escape(text)),
        SequenceValue sequence when sequence.Elements.Any(e => Escape(e) is not null) =>
            new SequenceValue(sequence.Elements.Select(e => Escape(e) ?? e)),
        StructureValue structure when structure.Properties.Any(p => Escape(p.Value) is not null) =>
            new StructureValue(structure.Properties.Select(p => Escape(p.Value) is { } v ? new LogEventProperty(p.Name, v) : p), structure.TypeTag),
        _ => null,
    };

    static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
