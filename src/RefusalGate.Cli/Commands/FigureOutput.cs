using System.Globalization;
using Spectre.Console;

namespace RefusalGate.Cli.Commands;

/// <summary>How the figure commands (<c>report</c>, <c>evaluate</c>) print numbers and tables.</summary>
internal static class FigureOutput
{
    /// <summary>Three decimals for a table cell; "–" for an undefined figure. Rounded first, so -0.0001 prints as "0.000".</summary>
    public static string Cell(double value) => double.IsFinite(value) ? (Math.Round(value, 3) + 0.0).ToString("0.000", CultureInfo.InvariantCulture) : "–";

    /// <summary>Six decimals for JSON; null for an undefined figure (JSON has no NaN).</summary>
    public static double? Json(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;

    /// <summary>Writes a table to stdout. Piped output gets no terminal width (a table wrapped at 80 columns is unreadable) and no colour codes.</summary>
    public static void Write(Table table)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        console.Profile.Width = Math.Max(console.Profile.Width, 160);
        console.Write(table);
    }
}
