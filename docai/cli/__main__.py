from docai.cli import main

main()
