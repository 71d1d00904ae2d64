using System.Text.RegularExpressions;

namespace Orchestrator.Benchmarks;

/// <summary>
/// Picks a host's warnings and errors out of its console log (<c>[HH:mm:ss LVL] ...</c>): a line that starts a
/// log event decides whether it and its continuation lines are shown. Used by one reader at a time.
/// </summary>
sealed partial class LogFilter
{
    bool _showing;

    public bool Shows(string? line)
    {
        if (line is null)
            return false;
        var start = EventStart().Match(line);
        if (start.Success)
            _showing = start.Groups[1].Value is "WRN" or "ERR" or "FTL";
        return _showing;
    }

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d ([A-Z]{3})\]")]
    private static partial Regex EventStart();
}
