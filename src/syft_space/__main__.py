from syft_space.cli import main

main()
