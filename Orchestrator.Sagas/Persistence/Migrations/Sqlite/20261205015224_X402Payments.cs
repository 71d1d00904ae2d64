using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class X402Payments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "payer",
                table: "research_task_purchases",
                type: "TEXT",
                maxLength: 42,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "payment_network",
                table: "research_task_purchases",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "x402_amount",
                table: "research_task_purchases",
                type: "TEXT",
                maxLength: 78,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "x402_payment",
                table: "research_task_purchases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "x402_payment_header",
                table: "research_task_purchases",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "x402_payment_valid_before",
                table: "research_task_purchases",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "payer",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "payment_network",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "x402_amount",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "x402_payment",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "x402_payment_header",
                table: "research_task_purchases");

            migrationBuilder.DropColumn(
                name: "x402_payment_valid_before",
                table: "research_task_purchases");
        }
    }
}
